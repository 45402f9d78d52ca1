CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`organization_id` text,
	`prefix` text NOT NULL,
	`hash` text NOT NULL,
	`created_at` text NOT NULL,
	`created_by_key_id` text,
	`last_used_at` text,
	`revoked_at` text,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "api_keys_ministry_org_ck" CHECK(("api_keys"."role" = 'ministry') = ("api_keys"."organization_id" IS NOT NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash_uq` ON `api_keys` (`hash`);--> statement-breakpoint
CREATE INDEX `api_keys_prefix_idx` ON `api_keys` (`prefix`);--> statement-breakpoint
CREATE TABLE `change_history` (
	`id` text PRIMARY KEY NOT NULL,
	`at` text NOT NULL,
	`actor_key_id` text,
	`actor_role` text NOT NULL,
	`actor_organization_id` text,
	`operation` text NOT NULL,
	`entity_type` text NOT NULL,
	`entity_id` text NOT NULL,
	`plan_id` text,
	`task_id` text,
	`changes` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `change_history_task_idx` ON `change_history` (`task_id`,`id`);--> statement-breakpoint
CREATE INDEX `change_history_plan_idx` ON `change_history` (`plan_id`,`id`);--> statement-breakpoint
CREATE INDEX `change_history_entity_idx` ON `change_history` (`entity_type`,`entity_id`,`id`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`api_key_id` text NOT NULL,
	`key` text NOT NULL,
	`fingerprint` text NOT NULL,
	`state` text NOT NULL,
	`status_code` integer,
	`response_headers` text,
	`response_body` text,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	PRIMARY KEY(`api_key_id`, `key`)
);
--> statement-breakpoint
CREATE INDEX `idempotency_keys_expiry_idx` ON `idempotency_keys` (`expires_at`);--> statement-breakpoint
ALTER TABLE `task_status_changes` ADD `actor_key_id` text;