ALTER TABLE `webhook_events` ADD `organization_ids` text;--> statement-breakpoint
ALTER TABLE `webhook_subscriptions` ADD `events_kept_since` text;--> statement-breakpoint
-- Until now an event no active subscription wanted was not stored, so for the subscriptions that exist the outbox is
-- complete only from this migration on: a replay of an earlier window says it may have a gap.
UPDATE `webhook_subscriptions` SET `events_kept_since` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now');
