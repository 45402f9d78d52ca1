PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_task_assignees` (
	`task_id` text NOT NULL,
	`organization_id` text NOT NULL,
	`role` text NOT NULL,
	`position` integer NOT NULL,
	`assigned_at` text NOT NULL,
	PRIMARY KEY(`task_id`, `organization_id`),
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
INSERT INTO `__new_task_assignees`("task_id", "organization_id", "role", "position", "assigned_at") SELECT "task_id", "organization_id", "role", "position", "assigned_at" FROM `task_assignees`;--> statement-breakpoint
DROP TABLE `task_assignees`;--> statement-breakpoint
ALTER TABLE `__new_task_assignees` RENAME TO `task_assignees`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `task_assignees_org_idx` ON `task_assignees` (`organization_id`);