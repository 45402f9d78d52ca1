ALTER TABLE `progress_reports` ADD `assigned_at` text;--> statement-breakpoint
-- The reports submitted before: an organization still assigned since before its report was first submitted reported
-- under that assignment, which is taken. One taken off the task since, or put back after the report, keeps NULL: its
-- assignment then is not known, and the report is judged as it was until now.
UPDATE `progress_reports` SET `assigned_at` = (
  SELECT a.`assigned_at` FROM `task_assignees` a
  WHERE a.`task_id` = `progress_reports`.`task_id`
    AND a.`organization_id` = `progress_reports`.`organization_id`
    AND a.`assigned_at` <= `progress_reports`.`created_at`
);
