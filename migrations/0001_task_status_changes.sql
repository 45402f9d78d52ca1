CREATE TABLE `task_status_changes` (
	`id` text PRIMARY KEY NOT NULL,
	`task_id` text NOT NULL,
	`from_status` text NOT NULL,
	`to_status` text NOT NULL,
	`comment` text,
	`actor_role` text NOT NULL,
	`actor_organization_id` text,
	`changed_at` text NOT NULL,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`actor_organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `task_status_changes_task_idx` ON `task_status_changes` (`task_id`,`id`);