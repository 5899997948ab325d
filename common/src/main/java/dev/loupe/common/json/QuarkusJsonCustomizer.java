package dev.loupe.common.json;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.contracts.json.EventJson;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/** Gives Quarkus' HTTP mapper the same conventions as {@link EventJson}, so HTTP and Kafka agree. */
@Singleton
public class QuarkusJsonCustomizer implements ObjectMapperCustomizer {
    @Override
    public void customize(ObjectMapper mapper) {
        EventJson.configure(mapper);
    }
}
