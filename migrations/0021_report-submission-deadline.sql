ALTER TABLE `progress_reports` ADD `submission_deadline` text DEFAULT '' NOT NULL;--> statement-breakpoint
-- The reports submitted before: each is given the deadline the service showed for it until now, its period's last day
-- plus its plan's reportDueDays as they stand at the upgrade (src/lib/periods.ts submissionDeadline). The rule in force
-- when a report was first submitted was not kept, so a rule changed since cannot be undone here. A quarter '2026-Q4'
-- ends the day before the first day of the quarter after it, a month '2026-11' the day before the next month's first.
-- Periods are written in years 1000 to 9999, where SQLite's and JavaScript's calendars are the same proleptic
-- Gregorian one. Anything that is no period leaves NULL, which the column refuses: the migration is then refused whole.
UPDATE `progress_reports` SET `submission_deadline` = (
  SELECT date(
    CASE
      WHEN `progress_reports`.`period` GLOB '[1-9][0-9][0-9][0-9]-Q[1-4]'
        THEN date(substr(`progress_reports`.`period`, 1, 5) || printf('%02d', 3 * substr(`progress_reports`.`period`, 7, 1) - 2) || '-01', '+3 months', '-1 day')
      WHEN `progress_reports`.`period` GLOB '[1-9][0-9][0-9][0-9]-[01][0-9]'
        THEN date(`progress_reports`.`period` || '-01', '+1 month', '-1 day')
    END,
    p.`report_due_days` || ' days'
  )
  FROM `tasks` t JOIN `plans` p ON p.`id` = t.`plan_id`
  WHERE t.`id` = `progress_reports`.`task_id`
);
