-- The event log moves to one table per 10 days of event time (`events_<n>`, made by the batch that first writes to
-- it; src/db/event-generations.ts), each dropped whole a day after its last day is 30 days old. `events` gets no row
-- from now on: it is read beside the generations until 31 days after this migration ran, when every row it has is
-- past the log's 30 days and the clean-up drops it (or earlier, once it is empty).
CREATE TABLE event_log_generations (since TEXT NOT NULL);
INSERT INTO event_log_generations (since) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
