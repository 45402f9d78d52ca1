ALTER TABLE `webhook_deliveries` ADD `origin` text DEFAULT 'event' NOT NULL;--> statement-breakpoint
-- The deliveries made before: their origin from what each row kept. Until now only three kinds were made on request,
-- each with the key that asked (requested_by_key_id): a redelivery (with redelivery_of), a test event, and a replay
-- (neither); a delivery queued as its event was raised kept no key, and stays `event`. A redelivery of a test event is
-- a redelivery.
UPDATE `webhook_deliveries` SET `origin` = 'redelivery' WHERE `redelivery_of` IS NOT NULL;--> statement-breakpoint
UPDATE `webhook_deliveries` SET `origin` = 'test'
  WHERE `redelivery_of` IS NULL AND `event_id` IN (SELECT `id` FROM `webhook_events` WHERE `type` = 'webhook.test');--> statement-breakpoint
UPDATE `webhook_deliveries` SET `origin` = 'replay'
  WHERE `redelivery_of` IS NULL AND `requested_by_key_id` IS NOT NULL AND `origin` = 'event';
