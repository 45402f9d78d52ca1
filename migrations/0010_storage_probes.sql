CREATE TABLE `storage_probes` (
	`id` integer PRIMARY KEY NOT NULL,
	`filler` blob NOT NULL
);
