PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_progress_reports` (
	`id` text PRIMARY KEY NOT NULL,
	`task_id` text NOT NULL,
	`organization_id` text NOT NULL,
	`period` text NOT NULL,
	`submission_deadline` text NOT NULL,
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
	CONSTRAINT "progress_reports_percent_ck" CHECK("__new_progress_reports"."percent_complete" BETWEEN 0 AND 100)
);
--> statement-breakpoint
INSERT INTO `__new_progress_reports`("id", "task_id", "organization_id", "period", "submission_deadline", "percent_complete", "confidence", "narrative", "risks", "status", "revision", "submitted_at", "submitted_by_key_id", "reviewed_at", "reviewed_by_key_id", "reviewed_by_role", "review_comment", "created_at", "updated_at") SELECT "id", "task_id", "organization_id", "period", "submission_deadline", "percent_complete", "confidence", "narrative", "risks", "status", "revision", "submitted_at", "submitted_by_key_id", "reviewed_at", "reviewed_by_key_id", "reviewed_by_role", "review_comment", "created_at", "updated_at" FROM `progress_reports`;--> statement-breakpoint
DROP TABLE `progress_reports`;--> statement-breakpoint
ALTER TABLE `__new_progress_reports` RENAME TO `progress_reports`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `progress_reports_task_org_period_uq` ON `progress_reports` (`task_id`,`organization_id`,`period`);--> statement-breakpoint
CREATE INDEX `progress_reports_period_idx` ON `progress_reports` (`period`);--> statement-breakpoint
CREATE INDEX `progress_reports_submitted_idx` ON `progress_reports` (`task_id`) WHERE "progress_reports"."status" = 'submitted';