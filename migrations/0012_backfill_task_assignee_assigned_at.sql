-- Custom SQL migration file, put your code below! --
-- When each organization was assigned to its task, for the rows written before task_assignees kept it: the time of
-- the task's last write whose assignees held the organization after it and not before it. Every write of a task's
-- assignees (createTask, updateTask, commitPlanImport) records the task's whole representation in the change history,
-- in its own transaction and at the instant it wrote, so that entry is the real assignment: an organization added
-- after a deadline owes no report of that deadline's period. A kept organization whose role or position changed was
-- in both lists, so its assignment is the earlier one. A task whose assignees no entry added (written before the
-- history existed, migration 0002) gets its creation time, which is what the progress report assumed of every
-- assignee until now, so its reports do not change.
UPDATE `task_assignees` SET `assigned_at` = coalesce(
  (
    SELECT max(h.`at`)
    FROM `change_history` h, json_each(h.`changes`) c
    WHERE h.`task_id` = `task_assignees`.`task_id`
      AND h.`entity_type` = 'task'
      AND h.`entity_id` = `task_assignees`.`task_id`
      AND json_extract(c.`value`, '$.field') = 'assignees'
      AND EXISTS (
        SELECT 1 FROM json_each(c.`value`, '$.after') a
        WHERE json_extract(a.`value`, '$.organizationId') = `task_assignees`.`organization_id`
      )
      AND NOT EXISTS (
        SELECT 1 FROM json_each(c.`value`, '$.before') b
        WHERE json_extract(b.`value`, '$.organizationId') = `task_assignees`.`organization_id`
      )
  ),
  (SELECT t.`created_at` FROM `tasks` t WHERE t.`id` = `task_assignees`.`task_id`)
);
