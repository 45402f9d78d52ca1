DROP INDEX `webhook_events_occurred_idx`;--> statement-breakpoint
CREATE INDEX `webhook_events_occurred_idx` ON `webhook_events` (`occurred_at`,`id`);