-- Custom SQL migration file, put your code below! --
-- Multi-line text (text() in src/lib/common.schemas.ts) is now stored with every line break as LF, and C1 control
-- characters are refused. Values stored before keep CRLF, CR, NEL, U+2028 or U+2029, and may hold a C1 control: sent
-- back as read (a task's whole translations, a report revised with its risks as they were), the C1 one was refused
-- with 400, and the others were taken as a change of nothing, recorded in the history with a new updatedAt and ETag.
-- Each value is written here as text() would store it now: CRLF, CR, VT, FF, NEL, U+2028 and U+2029 each become one
-- LF, any other control character but tab becomes a space (a C1 one stands for a character lost to a wrong decoding,
-- most often a dash or a quotation mark, which a space separates as it did), and blanks at either end go, as text()
-- trims (a closing quotation mark lost at the end left a space there). The columns: tasks.description,
-- form_of_completion, expected_result and the description of each language in tasks.translations;
-- progress_reports.narrative, risks and review_comment; deadline_changes.reason and decision_comment;
-- task_status_changes.comment; indicator_values.note. The tasks' search text, which holds their descriptions, is cut
-- into its parts and made again, as migration 0015 does for titles.
--
-- As for migration 0015: not recorded in the change history, updated_at stays, the history keeps what it recorded, and
-- a value with nothing but control characters and blanks in it is left as it is.

-- The replacements, in order: CRLF before CR, so that it becomes one LF.
CREATE TEMP TABLE `multi_line_replacements` (`step` integer PRIMARY KEY, `from` text NOT NULL, `to` text NOT NULL);
--> statement-breakpoint
INSERT INTO `multi_line_replacements` (`step`, `from`, `to`)
  WITH RECURSIVE `code_points` (`code`) AS (SELECT 1 UNION ALL SELECT `code` + 1 FROM `code_points` WHERE `code` < 159)
  SELECT row_number() OVER (ORDER BY `ord`), `from`, `to` FROM (
    SELECT 0 AS `ord`, char(13, 10) AS `from`, char(10) AS `to`
    UNION ALL SELECT 1, char(13), char(10)
    UNION ALL SELECT 2, char(11), char(10)
    UNION ALL SELECT 3, char(12), char(10)
    UNION ALL SELECT 4, char(133), char(10)
    UNION ALL SELECT 5, char(8232), char(10)
    UNION ALL SELECT 6, char(8233), char(10)
    UNION ALL SELECT 10 + `code`, char(`code`), ' ' FROM `code_points`
      WHERE `code` NOT IN (9, 10, 11, 12, 13, 133) AND (`code` < 32 OR `code` >= 127)
  );
--> statement-breakpoint
CREATE TEMP TABLE `multi_line_pattern` AS
  SELECT '*[' || char(1) || '-' || char(8) || char(11) || '-' || char(31) || char(127) || '-' || char(159) || char(8232) || char(8233) || ']*' AS `glob`;
--> statement-breakpoint
CREATE TEMP TABLE `multi_line_values` (`value` text PRIMARY KEY NOT NULL, `written` text);
--> statement-breakpoint
INSERT OR IGNORE INTO `multi_line_values` (`value`)
  SELECT `value` FROM (
    SELECT `description` AS `value` FROM `tasks`
    UNION ALL SELECT `form_of_completion` FROM `tasks`
    UNION ALL SELECT `expected_result` FROM `tasks`
    UNION ALL SELECT json_extract(l.`value`, '$.description') FROM `tasks`, json_each(`tasks`.`translations`) l
    UNION ALL SELECT `narrative` FROM `progress_reports`
    UNION ALL SELECT `risks` FROM `progress_reports`
    UNION ALL SELECT `review_comment` FROM `progress_reports`
    UNION ALL SELECT `reason` FROM `deadline_changes`
    UNION ALL SELECT `decision_comment` FROM `deadline_changes`
    UNION ALL SELECT `comment` FROM `task_status_changes`
    UNION ALL SELECT `note` FROM `indicator_values`
  )
  WHERE typeof(`value`) = 'text' AND `value` GLOB (SELECT `glob` FROM `multi_line_pattern`);
--> statement-breakpoint
-- The tasks' search text cut into its parts (code, title, description, each translation's title and description, those
-- that are not empty), each taking as many lines as its value has LFs, plus one; a task whose search text does not have
-- the lines its parts add up to is left as it is. See migration 0015.
CREATE TEMP TABLE `multi_line_search_parts` (`task_id` text NOT NULL, `ord` integer NOT NULL, `text` text NOT NULL, PRIMARY KEY (`task_id`, `ord`));
--> statement-breakpoint
INSERT INTO `multi_line_search_parts` (`task_id`, `ord`, `text`)
  WITH RECURSIVE
    `touched` AS (
      SELECT t.`id`, t.`code`, t.`title`, t.`description`, t.`translations`, t.`search_text` FROM `tasks` t
      WHERE t.`description` IN (SELECT `value` FROM `multi_line_values`)
        OR EXISTS (SELECT 1 FROM json_each(t.`translations`) l WHERE json_extract(l.`value`, '$.description') IN (SELECT `value` FROM `multi_line_values`))
    ),
    `parts` (`task_id`, `ord`, `value`) AS (
      SELECT `id`, 0, `code` FROM `touched`
      UNION ALL SELECT `id`, 1, `title` FROM `touched`
      UNION ALL SELECT `id`, 2, `description` FROM `touched`
      UNION ALL SELECT t.`id`, 3 + 2 * l.`id`, json_extract(l.`value`, '$.title') FROM `touched` t, json_each(t.`translations`) l
      UNION ALL SELECT t.`id`, 4 + 2 * l.`id`, json_extract(l.`value`, '$.description') FROM `touched` t, json_each(t.`translations`) l
    ),
    `spans` AS (
      SELECT `task_id`, `ord`, length(`value`) - length(replace(`value`, char(10), '')) + 1 AS `lines` FROM `parts`
      WHERE typeof(`value`) = 'text' AND `value` <> ''
    ),
    `placed` AS (
      SELECT `task_id`, `ord`, `lines`,
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
  SELECT p.`task_id`, p.`ord`,
    (SELECT group_concat(s.`line`, char(10) ORDER BY s.`n`) FROM `search_lines` s
     WHERE s.`task_id` = p.`task_id` AND s.`n` BETWEEN p.`first` AND p.`first` + p.`lines` - 1)
  FROM `placed` p JOIN `line_counts` c ON c.`task_id` = p.`task_id` AND c.`lines` = p.`total`;
--> statement-breakpoint
INSERT OR IGNORE INTO `multi_line_values` (`value`)
  SELECT `text` FROM `multi_line_search_parts` WHERE `text` GLOB (SELECT `glob` FROM `multi_line_pattern`);
--> statement-breakpoint
-- The replacements in order, then the blanks JavaScript's trim() takes (tab and LF among them) at either end.
UPDATE `multi_line_values` SET `written` = trim(
  (
    WITH RECURSIVE `steps` (`step`, `text`) AS (
      SELECT 0, `multi_line_values`.`value`
      UNION ALL
      SELECT s.`step` + 1, replace(s.`text`, r.`from`, r.`to`) FROM `steps` s JOIN `multi_line_replacements` r ON r.`step` = s.`step` + 1
    )
    SELECT `text` FROM `steps` ORDER BY `step` DESC LIMIT 1
  ),
  char(9, 10, 32, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8239, 8287, 12288, 65279)
);
--> statement-breakpoint
DELETE FROM `multi_line_values` WHERE `written` = '';
--> statement-breakpoint
-- The search text first, while the descriptions still hold the values its parts were cut by.
UPDATE `tasks` SET `search_text` = (
  SELECT group_concat(coalesce(v.`written`, p.`text`), char(10) ORDER BY p.`ord`)
  FROM `multi_line_search_parts` p LEFT JOIN `multi_line_values` v ON v.`value` = p.`text`
  WHERE p.`task_id` = `tasks`.`id`
)
WHERE `id` IN (SELECT `task_id` FROM `multi_line_search_parts`);
--> statement-breakpoint
UPDATE `tasks` SET
  `description` = coalesce((SELECT `written` FROM `multi_line_values` WHERE `value` = `tasks`.`description`), `description`),
  `form_of_completion` = coalesce((SELECT `written` FROM `multi_line_values` WHERE `value` = `tasks`.`form_of_completion`), `form_of_completion`),
  `expected_result` = coalesce((SELECT `written` FROM `multi_line_values` WHERE `value` = `tasks`.`expected_result`), `expected_result`),
  `translations` = coalesce((
    SELECT json_group_object(l.`key`, CASE WHEN v.`written` IS NOT NULL THEN json_set(l.`value`, '$.description', v.`written`) ELSE json(l.`value`) END ORDER BY l.`id`)
    FROM json_each(`tasks`.`translations`) l LEFT JOIN `multi_line_values` v ON v.`value` = json_extract(l.`value`, '$.description')
  ), `translations`)
WHERE `description` IN (SELECT `value` FROM `multi_line_values`)
  OR `form_of_completion` IN (SELECT `value` FROM `multi_line_values`)
  OR `expected_result` IN (SELECT `value` FROM `multi_line_values`)
  OR EXISTS (SELECT 1 FROM json_each(`tasks`.`translations`) l WHERE json_extract(l.`value`, '$.description') IN (SELECT `value` FROM `multi_line_values`));
--> statement-breakpoint
UPDATE `progress_reports` SET
  `narrative` = coalesce((SELECT `written` FROM `multi_line_values` WHERE `value` = `progress_reports`.`narrative`), `narrative`),
  `risks` = coalesce((SELECT `written` FROM `multi_line_values` WHERE `value` = `progress_reports`.`risks`), `risks`),
  `review_comment` = coalesce((SELECT `written` FROM `multi_line_values` WHERE `value` = `progress_reports`.`review_comment`), `review_comment`)
WHERE `narrative` IN (SELECT `value` FROM `multi_line_values`) OR `risks` IN (SELECT `value` FROM `multi_line_values`)
  OR `review_comment` IN (SELECT `value` FROM `multi_line_values`);
--> statement-breakpoint
UPDATE `deadline_changes` SET
  `reason` = coalesce((SELECT `written` FROM `multi_line_values` WHERE `value` = `deadline_changes`.`reason`), `reason`),
  `decision_comment` = coalesce((SELECT `written` FROM `multi_line_values` WHERE `value` = `deadline_changes`.`decision_comment`), `decision_comment`)
WHERE `reason` IN (SELECT `value` FROM `multi_line_values`) OR `decision_comment` IN (SELECT `value` FROM `multi_line_values`);
--> statement-breakpoint
UPDATE `task_status_changes` SET `comment` = (SELECT `written` FROM `multi_line_values` WHERE `value` = `task_status_changes`.`comment`)
WHERE `comment` IN (SELECT `value` FROM `multi_line_values`);
--> statement-breakpoint
UPDATE `indicator_values` SET `note` = (SELECT `written` FROM `multi_line_values` WHERE `value` = `indicator_values`.`note`)
WHERE `note` IN (SELECT `value` FROM `multi_line_values`);
--> statement-breakpoint
DROP TABLE `multi_line_search_parts`;
--> statement-breakpoint
DROP TABLE `multi_line_values`;
--> statement-breakpoint
DROP TABLE `multi_line_pattern`;
--> statement-breakpoint
DROP TABLE `multi_line_replacements`;
