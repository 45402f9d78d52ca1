ALTER TABLE `deadline_changes` ADD `withdrawn_by_role` text;--> statement-breakpoint
ALTER TABLE `deadline_changes` ADD `withdrawn_by_organization_id` text REFERENCES organizations(id);--> statement-breakpoint
ALTER TABLE `deadline_changes` ADD `withdrawn_by_key_id` text;--> statement-breakpoint
ALTER TABLE `deadline_changes` ADD `withdrawn_at` text;--> statement-breakpoint
ALTER TABLE `deadline_changes` ADD `withdrawal_comment` text;