DROP INDEX `organizations_country_idx`;--> statement-breakpoint
CREATE INDEX `organizations_name_idx` ON `organizations` (`name`,`id`);--> statement-breakpoint
CREATE INDEX `organizations_country_name_idx` ON `organizations` (`country`,`name`,`id`);--> statement-breakpoint
DROP INDEX `meetings_commission_idx`;--> statement-breakpoint
CREATE INDEX `meetings_date_idx` ON `meetings` (`date`,`id`);--> statement-breakpoint
CREATE INDEX `meetings_commission_idx` ON `meetings` (`commission_id`,`date`,`id`);