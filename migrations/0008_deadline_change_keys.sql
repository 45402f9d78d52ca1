ALTER TABLE `deadline_changes` ADD `requested_by_key_id` text;--> statement-breakpoint
ALTER TABLE `deadline_changes` ADD `decided_by_key_id` text;