package dev.loupe.evals;

import dev.loupe.testing.nativeimage.NativeDiscipline;

/** This service's native-image discipline, checked on the JVM: the checks are {@link NativeDiscipline}'s. */
class NativeDisciplineTest extends NativeDiscipline {}
