-- Flyway callback, run before every validation (so before every migrate-at-start).
--
-- V1–V4 and V6 used to set TimescaleDB up themselves; that moved to V7 (README, "Two database paths"), and those
-- five files now hold only the plain-PostgreSQL statements they always ran on plain PostgreSQL. A database migrated
-- before the move has their former checksums in its history, which validate-on-migrate would refuse. Each pair below
-- is (version, checksum the shipped file had, checksum it has now); only a history row with exactly the former
-- checksum is moved to the new one, so any other difference still fails validation. On a database that took the
-- TimescaleDB branches, the tables those branches made are what V7 would make, and V7 leaves them as they are.
-- TimescaleDbMigrationTest migrates a database with the former files and then with these, and checks the new values.
do $$
begin
    if to_regclass('telemetry.flyway_schema_history') is not null then
        update telemetry.flyway_schema_history h
        set checksum = c.now_checksum
        from (values ('1', 1997291940, 937697216),
                     ('2', 1265688675, -724835090),
                     ('3', -890753896, 25524711),
                     ('4', 452913661, 179528830),
                     ('6', 1616594590, -208805944)) as c(version, shipped_checksum, now_checksum)
        where h.version = c.version and h.checksum = c.shipped_checksum and h.success;
    end if;
end
$$;
