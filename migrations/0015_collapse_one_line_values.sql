-- Custom SQL migration file, put your code below! --
-- The one-line fields (line() in src/lib/common.schemas.ts) refuse line breaks, tabs and every other control character,
-- but rows written before kept them and were still served: an integrator that read a commission and sent its parties
-- back with one change, or a task's translations, got 400 for a value it never touched. Every value those fields stored
-- is put on one line here, much as the spreadsheet import reads a title cell (oneLine in imports.columns.ts, which takes only line breaks and tabs): each run of
-- control characters (C0, DEL, C1) and U+2028/U+2029, with the blanks around it, becomes one space, and blanks at
-- either end go. The columns: commissions.name and its co-chairs' names and positions (the API's `parties`);
-- organizations.name and short_name; meetings.title, place and protocol_number; plans.title; tasks.title,
-- basis_protocol_item and the title of each language in the JSON of tasks.translations; deadline_changes.decision_basis
-- (the basis of a direct change or of a decision); indicators.name and unit; share_links.name; api_keys.name;
-- webhook_subscriptions.description. The tasks' search_text, which holds their titles, is rewritten to match.
--
-- Not recorded in the change history, and updated_at stays: the text is the same, only its layout changes, and no one
-- made the change. An entry would need an actor the history does not have, and the past-day report would undo it (it
-- rewinds updateTask, updateOrganization… entries), bringing the line breaks back into the report. The history's own
-- before and after values stay as recorded (it is append-only). A name that collapses into another organization's
-- name of the same country is kept: duplicates written before names were unique stay readable and changeable.
-- A value with nothing but control characters and blanks in it (text() never let one be written) is left as it is:
-- there is nothing to keep of it.

-- The values to collapse: every stored one-line value holding a control character or U+2028/U+2029 (NUL aside: text()
-- always refused it, and SQLite's text functions end at it).
CREATE TEMP TABLE `one_line_pattern` AS
  SELECT '*[' || char(1) || '-' || char(31) || char(127) || '-' || char(159) || char(8232) || char(8233) || ']*' AS `glob`;
--> statement-breakpoint
CREATE TEMP TABLE `one_line_values` (`value` text PRIMARY KEY NOT NULL, `collapsed` text);
--> statement-breakpoint
INSERT OR IGNORE INTO `one_line_values` (`value`)
  SELECT `value` FROM (
    SELECT `name` AS `value` FROM `commissions`
    UNION ALL SELECT `party_a_co_chair_name` FROM `commissions`
    UNION ALL SELECT `party_a_co_chair_position` FROM `commissions`
    UNION ALL SELECT `party_b_co_chair_name` FROM `commissions`
    UNION ALL SELECT `party_b_co_chair_position` FROM `commissions`
    UNION ALL SELECT `name` FROM `organizations`
    UNION ALL SELECT `short_name` FROM `organizations`
    UNION ALL SELECT `title` FROM `meetings`
    UNION ALL SELECT `place` FROM `meetings`
    UNION ALL SELECT `protocol_number` FROM `meetings`
    UNION ALL SELECT `title` FROM `plans`
    UNION ALL SELECT `title` FROM `tasks`
    UNION ALL SELECT `basis_protocol_item` FROM `tasks`
    UNION ALL SELECT json_extract(l.`value`, '$.title') FROM `tasks`, json_each(`tasks`.`translations`) l
    UNION ALL SELECT `decision_basis` FROM `deadline_changes`
    UNION ALL SELECT `name` FROM `indicators`
    UNION ALL SELECT `unit` FROM `indicators`
    UNION ALL SELECT `name` FROM `share_links`
    UNION ALL SELECT `name` FROM `api_keys`
    UNION ALL SELECT `description` FROM `webhook_subscriptions`
  )
  WHERE typeof(`value`) = 'text' AND `value` GLOB (SELECT `glob` FROM `one_line_pattern`);
--> statement-breakpoint
-- The text the task search reads (tasks.service.ts, searchTextOf) is the task's code, title, description and each
-- translation's title and description, those that are not empty, lower-cased (JavaScript's toLowerCase, which SQLite's
-- lower() is not) and joined by LF. Its titles are cut out of it by lines: a part takes as many lines as its value has
-- LFs, plus one; lower-casing moves no LF. Each title part is then collapsed as the title is. A task whose search text
-- does not have the lines its parts add up to is left as it is.
CREATE TEMP TABLE `one_line_search_parts` (`task_id` text NOT NULL, `ord` integer NOT NULL, `one_line` integer NOT NULL, `text` text NOT NULL, PRIMARY KEY (`task_id`, `ord`));
--> statement-breakpoint
INSERT INTO `one_line_search_parts` (`task_id`, `ord`, `one_line`, `text`)
  WITH RECURSIVE
    `touched` AS (
      SELECT t.`id`, t.`code`, t.`title`, t.`description`, t.`translations`, t.`search_text` FROM `tasks` t
      WHERE t.`title` IN (SELECT `value` FROM `one_line_values`)
        OR EXISTS (SELECT 1 FROM json_each(t.`translations`) l WHERE json_extract(l.`value`, '$.title') IN (SELECT `value` FROM `one_line_values`))
    ),
    `parts` (`task_id`, `ord`, `one_line`, `value`) AS (
      SELECT `id`, 0, 0, `code` FROM `touched`
      UNION ALL SELECT `id`, 1, 1, `title` FROM `touched`
      UNION ALL SELECT `id`, 2, 0, `description` FROM `touched`
      -- json_each numbers the nodes in document order, the order of Object.values.
      UNION ALL SELECT t.`id`, 3 + 2 * l.`id`, 1, json_extract(l.`value`, '$.title') FROM `touched` t, json_each(t.`translations`) l
      UNION ALL SELECT t.`id`, 4 + 2 * l.`id`, 0, json_extract(l.`value`, '$.description') FROM `touched` t, json_each(t.`translations`) l
    ),
    `spans` AS (
      SELECT `task_id`, `ord`, `one_line`, length(`value`) - length(replace(`value`, char(10), '')) + 1 AS `lines` FROM `parts`
      WHERE typeof(`value`) = 'text' AND `value` <> ''
    ),
    `placed` AS (
      SELECT `task_id`, `ord`, `one_line`, `lines`,
        coalesce(sum(`lines`) OVER (PARTITION BY `task_id` ORDER BY `ord` ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) + 1 AS `first`,
        sum(`lines`) OVER (PARTITION BY `task_id`) AS `total`
      FROM `spans`
    ),
    `search_lines` (`task_id`, `n`, `line`, `rest`) AS (
      SELECT `id`, 0, NULL, `search_text` || char(10) FROM `touched`
      UNION ALL
      SELECT `task_id`, `n` + 1, substr(`rest`, 1, instr(`rest`, char(10)) - 1), substr(`rest`, instr(`rest`, char(10)) + 1)
      FROM `search_lines` WHERE `rest` <> ''
    ),
    `line_counts` AS (SELECT `task_id`, max(`n`) AS `lines` FROM `search_lines` GROUP BY `task_id`)
  SELECT p.`task_id`, p.`ord`, p.`one_line`,
    (SELECT group_concat(s.`line`, char(10) ORDER BY s.`n`) FROM `search_lines` s
     WHERE s.`task_id` = p.`task_id` AND s.`n` BETWEEN p.`first` AND p.`first` + p.`lines` - 1)
  FROM `placed` p JOIN `line_counts` c ON c.`task_id` = p.`task_id` AND c.`lines` = p.`total`;
--> statement-breakpoint
INSERT OR IGNORE INTO `one_line_values` (`value`)
  SELECT `text` FROM `one_line_search_parts` WHERE `one_line` AND `text` GLOB (SELECT `glob` FROM `one_line_pattern`);
--> statement-breakpoint
-- Collapsed character by character: a control character ends a part; each part is trimmed of the blanks JavaScript's
-- trim() takes (space, no-break spaces, the U+2000 spaces, ideographic space); the parts left are joined by one space.
UPDATE `one_line_values` SET `collapsed` = c.`collapsed`
FROM (
  WITH RECURSIVE
    `chars` (`value`, `i`, `c`) AS (
      SELECT `value`, 1, substr(`value`, 1, 1) FROM `one_line_values`
      UNION ALL
      SELECT `value`, `i` + 1, substr(`value`, `i` + 1, 1) FROM `chars` WHERE `i` < length(`value`)
    ),
    `marked` AS (
      SELECT `value`, `i`, `c`,
        unicode(`c`) BETWEEN 1 AND 31 OR unicode(`c`) BETWEEN 127 AND 159 OR unicode(`c`) IN (8232, 8233) AS `control`
      FROM `chars`
    ),
    `numbered` AS (SELECT `value`, `i`, `c`, `control`, sum(`control`) OVER (PARTITION BY `value` ORDER BY `i`) AS `part` FROM `marked`),
    `parts` AS (
      SELECT `value`, `part`,
        trim(group_concat(`c`, '' ORDER BY `i`), char(32, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8239, 8287, 12288, 65279)) AS `text`
      FROM `numbered` WHERE NOT `control` GROUP BY `value`, `part`
    )
  SELECT `value`, group_concat(`text`, ' ' ORDER BY `part`) AS `collapsed` FROM `parts` WHERE `text` <> '' GROUP BY `value`
) c
WHERE c.`value` = `one_line_values`.`value`;
--> statement-breakpoint
DELETE FROM `one_line_values` WHERE `collapsed` IS NULL OR `collapsed` = '';
--> statement-breakpoint
UPDATE `commissions` SET
  `name` = coalesce((SELECT `collapsed` FROM `one_line_values` WHERE `value` = `commissions`.`name`), `name`),
  `party_a_co_chair_name` = coalesce((SELECT `collapsed` FROM `one_line_values` WHERE `value` = `commissions`.`party_a_co_chair_name`), `party_a_co_chair_name`),
  `party_a_co_chair_position` = coalesce((SELECT `collapsed` FROM `one_line_values` WHERE `value` = `commissions`.`party_a_co_chair_position`), `party_a_co_chair_position`),
  `party_b_co_chair_name` = coalesce((SELECT `collapsed` FROM `one_line_values` WHERE `value` = `commissions`.`party_b_co_chair_name`), `party_b_co_chair_name`),
  `party_b_co_chair_position` = coalesce((SELECT `collapsed` FROM `one_line_values` WHERE `value` = `commissions`.`party_b_co_chair_position`), `party_b_co_chair_position`)
WHERE `name` IN (SELECT `value` FROM `one_line_values`)
  OR `party_a_co_chair_name` IN (SELECT `value` FROM `one_line_values`)
  OR `party_a_co_chair_position` IN (SELECT `value` FROM `one_line_values`)
  OR `party_b_co_chair_name` IN (SELECT `value` FROM `one_line_values`)
  OR `party_b_co_chair_position` IN (SELECT `value` FROM `one_line_values`);
--> statement-breakpoint
UPDATE `organizations` SET
  `name` = coalesce((SELECT `collapsed` FROM `one_line_values` WHERE `value` = `organizations`.`name`), `name`),
  `short_name` = coalesce((SELECT `collapsed` FROM `one_line_values` WHERE `value` = `organizations`.`short_name`), `short_name`)
WHERE `name` IN (SELECT `value` FROM `one_line_values`) OR `short_name` IN (SELECT `value` FROM `one_line_values`);
--> statement-breakpoint
UPDATE `meetings` SET
  `title` = coalesce((SELECT `collapsed` FROM `one_line_values` WHERE `value` = `meetings`.`title`), `title`),
  `place` = coalesce((SELECT `collapsed` FROM `one_line_values` WHERE `value` = `meetings`.`place`), `place`),
  `protocol_number` = coalesce((SELECT `collapsed` FROM `one_line_values` WHERE `value` = `meetings`.`protocol_number`), `protocol_number`)
WHERE `title` IN (SELECT `value` FROM `one_line_values`) OR `place` IN (SELECT `value` FROM `one_line_values`)
  OR `protocol_number` IN (SELECT `value` FROM `one_line_values`);
--> statement-breakpoint
UPDATE `plans` SET `title` = (SELECT `collapsed` FROM `one_line_values` WHERE `value` = `plans`.`title`)
WHERE `title` IN (SELECT `value` FROM `one_line_values`);
--> statement-breakpoint
-- The search text first, while the title and translations still hold the values its parts were cut by.
UPDATE `tasks` SET `search_text` = (
  SELECT group_concat(CASE WHEN p.`one_line` AND v.`collapsed` IS NOT NULL THEN v.`collapsed` ELSE p.`text` END, char(10) ORDER BY p.`ord`)
  FROM `one_line_search_parts` p LEFT JOIN `one_line_values` v ON v.`value` = p.`text`
  WHERE p.`task_id` = `tasks`.`id`
)
WHERE `id` IN (SELECT `task_id` FROM `one_line_search_parts`);
--> statement-breakpoint
UPDATE `tasks` SET
  `title` = coalesce((SELECT `collapsed` FROM `one_line_values` WHERE `value` = `tasks`.`title`), `title`),
  `basis_protocol_item` = coalesce((SELECT `collapsed` FROM `one_line_values` WHERE `value` = `tasks`.`basis_protocol_item`), `basis_protocol_item`),
  `translations` = coalesce((
    SELECT json_group_object(l.`key`, CASE WHEN v.`collapsed` IS NOT NULL THEN json_set(l.`value`, '$.title', v.`collapsed`) ELSE json(l.`value`) END ORDER BY l.`id`)
    FROM json_each(`tasks`.`translations`) l LEFT JOIN `one_line_values` v ON v.`value` = json_extract(l.`value`, '$.title')
  ), `translations`)
WHERE `title` IN (SELECT `value` FROM `one_line_values`) OR `basis_protocol_item` IN (SELECT `value` FROM `one_line_values`)
  OR EXISTS (SELECT 1 FROM json_each(`tasks`.`translations`) l WHERE json_extract(l.`value`, '$.title') IN (SELECT `value` FROM `one_line_values`));
--> statement-breakpoint
UPDATE `deadline_changes` SET `decision_basis` = (SELECT `collapsed` FROM `one_line_values` WHERE `value` = `deadline_changes`.`decision_basis`)
WHERE `decision_basis` IN (SELECT `value` FROM `one_line_values`);
--> statement-breakpoint
UPDATE `indicators` SET
  `name` = coalesce((SELECT `collapsed` FROM `one_line_values` WHERE `value` = `indicators`.`name`), `name`),
  `unit` = coalesce((SELECT `collapsed` FROM `one_line_values` WHERE `value` = `indicators`.`unit`), `unit`)
WHERE `name` IN (SELECT `value` FROM `one_line_values`) OR `unit` IN (SELECT `value` FROM `one_line_values`);
--> statement-breakpoint
UPDATE `share_links` SET `name` = (SELECT `collapsed` FROM `one_line_values` WHERE `value` = `share_links`.`name`)
WHERE `name` IN (SELECT `value` FROM `one_line_values`);
--> statement-breakpoint
UPDATE `api_keys` SET `name` = (SELECT `collapsed` FROM `one_line_values` WHERE `value` = `api_keys`.`name`)
WHERE `name` IN (SELECT `value` FROM `one_line_values`);
--> statement-breakpoint
UPDATE `webhook_subscriptions` SET `description` = (SELECT `collapsed` FROM `one_line_values` WHERE `value` = `webhook_subscriptions`.`description`)
WHERE `description` IN (SELECT `value` FROM `one_line_values`);
--> statement-breakpoint
DROP TABLE `one_line_search_parts`;
--> statement-breakpoint
DROP TABLE `one_line_values`;
--> statement-breakpoint
DROP TABLE `one_line_pattern`;
