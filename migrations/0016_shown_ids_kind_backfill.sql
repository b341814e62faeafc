-- Custom migration (drizzle-kit generate --custom): rows of shown_containers written before 0015
-- added kind get the kind their id's prefix names; every audio id starts audio_.
UPDATE shown_containers SET kind = 'audio' WHERE substr(id, 1, 6) = 'audio_';
