CREATE TABLE `commissions` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`time_zone` text NOT NULL,
	`party_a_country` text NOT NULL,
	`party_a_co_chair_name` text NOT NULL,
	`party_a_co_chair_position` text NOT NULL,
	`party_b_country` text NOT NULL,
	`party_b_co_chair_name` text NOT NULL,
	`party_b_co_chair_position` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `deadline_changes` (
	`id` text PRIMARY KEY NOT NULL,
	`task_id` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`old_due_date` text NOT NULL,
	`new_due_date` text NOT NULL,
	`reason` text NOT NULL,
	`requested_by_role` text NOT NULL,
	`requested_by_organization_id` text,
	`requested_at` text NOT NULL,
	`decided_by_role` text,
	`decided_at` text,
	`decision_basis` text,
	`decision_comment` text,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`requested_by_organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `deadline_changes_task_idx` ON `deadline_changes` (`task_id`,`requested_at`,`id`);--> statement-breakpoint
CREATE TABLE `meetings` (
	`id` text PRIMARY KEY NOT NULL,
	`commission_id` text NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`date` text NOT NULL,
	`place` text NOT NULL,
	`protocol_number` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`commission_id`) REFERENCES `commissions`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `meetings_commission_idx` ON `meetings` (`commission_id`,`date`);--> statement-breakpoint
CREATE TABLE `organizations` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`short_name` text,
	`kind` text NOT NULL,
	`country` text NOT NULL,
	`parent_id` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`parent_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `organizations_parent_idx` ON `organizations` (`parent_id`);--> statement-breakpoint
CREATE INDEX `organizations_country_idx` ON `organizations` (`country`);--> statement-breakpoint
CREATE TABLE `plans` (
	`id` text PRIMARY KEY NOT NULL,
	`commission_id` text NOT NULL,
	`title` text NOT NULL,
	`period_start` text NOT NULL,
	`period_end` text NOT NULL,
	`status` text NOT NULL,
	`approved_at` text,
	`closed_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`commission_id`) REFERENCES `commissions`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `plans_commission_idx` ON `plans` (`commission_id`);--> statement-breakpoint
CREATE TABLE `task_assignees` (
	`task_id` text NOT NULL,
	`organization_id` text NOT NULL,
	`role` text NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`task_id`, `organization_id`),
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `task_assignees_org_idx` ON `task_assignees` (`organization_id`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`plan_id` text NOT NULL,
	`code` text NOT NULL,
	`code_sort_key` text NOT NULL,
	`title` text NOT NULL,
	`description` text,
	`area` text NOT NULL,
	`form_of_completion` text,
	`expected_result` text,
	`basis_meeting_id` text,
	`basis_protocol_item` text,
	`translations` text DEFAULT '{}' NOT NULL,
	`search_text` text NOT NULL,
	`due_date` text NOT NULL,
	`original_due_date` text NOT NULL,
	`postponement_count` integer DEFAULT 0 NOT NULL,
	`status` text NOT NULL,
	`status_changed_at` text NOT NULL,
	`completed_at` text,
	`closed_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`plan_id`) REFERENCES `plans`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`basis_meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "tasks_postponement_count_ck" CHECK("tasks"."postponement_count" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tasks_plan_code_uq` ON `tasks` (`plan_id`,`code`);--> statement-breakpoint
CREATE INDEX `tasks_order_idx` ON `tasks` (`plan_id`,`code_sort_key`,`id`);--> statement-breakpoint
CREATE INDEX `tasks_due_idx` ON `tasks` (`due_date`);--> statement-breakpoint
CREATE INDEX `tasks_status_idx` ON `tasks` (`status`);