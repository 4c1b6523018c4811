-- The SQLite schema synth created at version 6 (synth/store/schema.py at cd87381^), frozen: never edit.
CREATE TABLE meta (
	"key" VARCHAR(64) NOT NULL, 
	value TEXT NOT NULL, 
	PRIMARY KEY ("key")
);
CREATE TABLE imports (
	id INTEGER NOT NULL, 
	file_name VARCHAR(512) NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	imported_by VARCHAR(128) NOT NULL, 
	imported_at DATETIME NOT NULL, 
	rows_total INTEGER NOT NULL, 
	notes_added INTEGER NOT NULL, 
	duplicates INTEGER NOT NULL, 
	rows_skipped INTEGER NOT NULL, 
	statements_added INTEGER NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_imports_sha256 ON imports (sha256);
CREATE TABLE embeddings (
	text_hash VARCHAR(32) NOT NULL, 
	model VARCHAR(64) NOT NULL, 
	vector BLOB NOT NULL, 
	PRIMARY KEY (text_hash, model)
);
CREATE TABLE runs (
	id INTEGER NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	started_at DATETIME NOT NULL, 
	finished_at DATETIME, 
	status VARCHAR(16) NOT NULL, 
	params TEXT NOT NULL, 
	model_dir VARCHAR(512), 
	PRIMARY KEY (id)
);
CREATE TABLE themes (
	id INTEGER NOT NULL, 
	label VARCHAR(256) NOT NULL, 
	description TEXT NOT NULL, 
	keywords TEXT NOT NULL, 
	quotes TEXT NOT NULL, 
	area VARCHAR(256) NOT NULL, 
	centroid BLOB, 
	active BOOLEAN NOT NULL, 
	hidden BOOLEAN NOT NULL, 
	label_locked BOOLEAN NOT NULL, 
	provisional BOOLEAN DEFAULT 0 NOT NULL, 
	created_run INTEGER NOT NULL, 
	updated_run INTEGER NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE theme_edits (
	id INTEGER NOT NULL, 
	theme_id INTEGER NOT NULL, 
	action VARCHAR(16) NOT NULL, 
	payload TEXT NOT NULL, 
	who VARCHAR(128) NOT NULL, 
	at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_theme_edits_theme_id ON theme_edits (theme_id);
CREATE TABLE theme_lineage (
	id INTEGER NOT NULL, 
	run_id INTEGER NOT NULL, 
	theme_id INTEGER NOT NULL, 
	source_theme_id INTEGER NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	overlap FLOAT NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_theme_lineage_theme_id ON theme_lineage (theme_id);
CREATE TABLE notes (
	id INTEGER NOT NULL, 
	import_id INTEGER NOT NULL, 
	note_key VARCHAR(128) NOT NULL, 
	content_hash VARCHAR(64) NOT NULL, 
	meeting_date DATE NOT NULL, 
	region VARCHAR(128) NOT NULL, 
	office VARCHAR(128) NOT NULL, 
	partner_key VARCHAR(32) NOT NULL, 
	executive_key VARCHAR(32) NOT NULL, 
	redacted_text TEXT NOT NULL, 
	raw_text TEXT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(import_id) REFERENCES imports (id), 
	UNIQUE (content_hash)
);
CREATE INDEX ix_notes_import_id ON notes (import_id);
CREATE INDEX ix_notes_scope ON notes (region, office, meeting_date);
CREATE TABLE statements (
	id INTEGER NOT NULL, 
	note_id INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	start_char INTEGER NOT NULL, 
	end_char INTEGER NOT NULL, 
	text TEXT NOT NULL, 
	text_hash VARCHAR(32) NOT NULL, 
	is_issue BOOLEAN NOT NULL, 
	drop_reason VARCHAR(64) NOT NULL, 
	keyphrases TEXT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(note_id) REFERENCES notes (id) ON DELETE CASCADE
);
CREATE INDEX ix_statements_text_hash ON statements (text_hash);
CREATE INDEX ix_statements_note_id ON statements (note_id);
CREATE TABLE assignments (
	statement_id INTEGER NOT NULL, 
	theme_id INTEGER, 
	run_id INTEGER NOT NULL, 
	score FLOAT NOT NULL, 
	method VARCHAR(16) NOT NULL, 
	pinned BOOLEAN NOT NULL, 
	PRIMARY KEY (statement_id), 
	FOREIGN KEY(statement_id) REFERENCES statements (id) ON DELETE CASCADE
);
CREATE INDEX ix_assignments_theme_id ON assignments (theme_id);
CREATE TABLE visits (
	username VARCHAR(128) NOT NULL, 
	last_seen DATETIME NOT NULL, 
	PRIMARY KEY (username)
);
CREATE TABLE sign_in_failures (
	"key" VARCHAR(96) NOT NULL, 
	failures INTEGER NOT NULL, 
	last_at FLOAT NOT NULL, 
	PRIMARY KEY ("key")
);
CREATE TABLE actions (
	theme_id INTEGER NOT NULL, 
	owner VARCHAR(128), 
	status VARCHAR(16) NOT NULL, 
	reason TEXT DEFAULT '' NOT NULL, 
	note TEXT DEFAULT '' NOT NULL, 
	due DATE, 
	merged_into INTEGER, 
	updated_by VARCHAR(128) NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (theme_id)
);
CREATE INDEX ix_actions_merged_into ON actions (merged_into);
CREATE TABLE action_history (
	id INTEGER NOT NULL, 
	theme_id INTEGER NOT NULL, 
	who VARCHAR(128) NOT NULL, 
	at DATETIME NOT NULL, 
	changes TEXT NOT NULL, 
	remark TEXT DEFAULT '' NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_action_history_theme_id ON action_history (theme_id);
CREATE TABLE alerts (
	id INTEGER NOT NULL, 
	event_key VARCHAR(128) NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	theme_id INTEGER NOT NULL, 
	recipients TEXT NOT NULL, 
	subject TEXT NOT NULL, 
	body TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	attempts INTEGER DEFAULT '0' NOT NULL, 
	last_error TEXT DEFAULT '' NOT NULL, 
	claimed_at DATETIME, 
	sent_at DATETIME, 
	PRIMARY KEY (id), 
	UNIQUE (event_key)
);
CREATE INDEX ix_alerts_theme_id ON alerts (theme_id);
CREATE TABLE alert_watch (
	theme_id INTEGER NOT NULL, 
	surfacing BOOLEAN NOT NULL, 
	statements INTEGER NOT NULL, 
	checked_at DATETIME NOT NULL, 
	PRIMARY KEY (theme_id)
);
