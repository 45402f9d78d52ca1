-- Custom SQL migration file, put your code below! --
-- The free-text search of tasks reads "ё" as "е", as Russian is mostly typed: the text searched is kept folded.
UPDATE `tasks` SET `search_text` = replace(`search_text`, 'ё', 'е') WHERE instr(`search_text`, 'ё') > 0;
