CREATE TABLE `indicator_values` (
	`indicator_id` text NOT NULL,
	`period` text NOT NULL,
	`value` real NOT NULL,
	`note` text,
	`recorded_at` text NOT NULL,
	`recorded_by_key_id` text,
	PRIMARY KEY(`indicator_id`, `period`),
	FOREIGN KEY (`indicator_id`) REFERENCES `indicators`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `indicators` (
	`id` text PRIMARY KEY NOT NULL,
	`plan_id` text NOT NULL,
	`task_id` text,
	`name` text NOT NULL,
	`unit` text NOT NULL,
	`baseline` real NOT NULL,
	`target` real NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`plan_id`) REFERENCES `plans`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `indicators_plan_idx` ON `indicators` (`plan_id`,`id`);--> statement-breakpoint
CREATE INDEX `indicators_task_idx` ON `indicators` (`task_id`);--> statement-breakpoint
CREATE TABLE `progress_reports` (
	`id` text PRIMARY KEY NOT NULL,
	`task_id` text NOT NULL,
	`organization_id` text NOT NULL,
	`period` text NOT NULL,
	`percent_complete` integer NOT NULL,
	`confidence` text NOT NULL,
	`narrative` text NOT NULL,
	`risks` text,
	`status` text NOT NULL,
	`revision` integer DEFAULT 1 NOT NULL,
	`submitted_at` text NOT NULL,
	`submitted_by_key_id` text,
	`reviewed_at` text,
	`reviewed_by_key_id` text,
	`reviewed_by_role` text,
	`review_comment` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "progress_reports_percent_ck" CHECK("progress_reports"."percent_complete" BETWEEN 0 AND 100)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `progress_reports_task_org_period_uq` ON `progress_reports` (`task_id`,`organization_id`,`period`);--> statement-breakpoint
CREATE INDEX `progress_reports_period_idx` ON `progress_reports` (`period`);--> statement-breakpoint
CREATE TABLE `share_links` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`prefix` text NOT NULL,
	`hash` text NOT NULL,
	`params` text NOT NULL,
	`expires_at` text NOT NULL,
	`revoked_at` text,
	`last_used_at` text,
	`created_at` text NOT NULL,
	`created_by_key_id` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `share_links_hash_uq` ON `share_links` (`hash`);--> statement-breakpoint
CREATE INDEX `share_links_prefix_idx` ON `share_links` (`prefix`);--> statement-breakpoint
ALTER TABLE `plans` ADD `reporting_frequency` text DEFAULT 'quarterly' NOT NULL;--> statement-breakpoint
ALTER TABLE `plans` ADD `report_due_days` integer DEFAULT 10 NOT NULL;