DROP INDEX `tasks_status_idx`;--> statement-breakpoint
CREATE INDEX `tasks_status_idx` ON `tasks` (`status`,`plan_id`,`code_sort_key`,`id`);