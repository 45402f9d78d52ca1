-- The change history is append-only: no statement may rewrite or remove an entry.
CREATE TRIGGER `change_history_no_update` BEFORE UPDATE ON `change_history`
BEGIN
	SELECT RAISE(ABORT, 'change_history is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `change_history_no_delete` BEFORE DELETE ON `change_history`
BEGIN
	SELECT RAISE(ABORT, 'change_history is append-only');
END;
