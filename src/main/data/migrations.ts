// Schema migrations, numbered by SQLite's user_version. Append only: a migration that has shipped
// never changes; each runs inside its own transaction.
import { maxOf } from '../../shared/array-utils';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'app metadata',
    sql: `
      CREATE TABLE app_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'datasets, images, samples, search, versions',
    sql: `
      CREATE TABLE datasets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      -- id is the sha256 of the file's bytes; the file lives at images/<id[0:2]>/<id[2:]>.
      CREATE TABLE images (
        id TEXT PRIMARY KEY CHECK (length(id) = 64),
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        format TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;

      -- turns: JSON [{user, assistant, origin, model?}]; origin_mask: bit 1 import, 2 person,
      -- 4 model (one bit per answer origin present, for the grid filter).
      CREATE TABLE samples (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        turns TEXT NOT NULL,
        split TEXT NOT NULL DEFAULT 'train' CHECK (split IN ('train', 'val', 'test')),
        status TEXT NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'draft', 'review', 'done', 'rejected')),
        origin_mask INTEGER NOT NULL DEFAULT 0,
        content_hash TEXT NOT NULL,
        duplicate_of INTEGER REFERENCES samples(id) ON DELETE SET NULL,
        source TEXT,
        deleted_at INTEGER,
        delete_token TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX samples_by_dataset ON samples(dataset_id, id);
      CREATE INDEX samples_by_status ON samples(dataset_id, status, id);
      CREATE INDEX samples_by_split ON samples(dataset_id, split, id);
      CREATE INDEX samples_by_hash ON samples(dataset_id, content_hash);
      CREATE INDEX samples_by_delete_token ON samples(delete_token) WHERE delete_token IS NOT NULL;

      CREATE TABLE sample_images (
        sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        image_id TEXT NOT NULL REFERENCES images(id),
        PRIMARY KEY (sample_id, position)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX sample_images_by_image ON sample_images(image_id, sample_id);

      CREATE TABLE sample_tags (
        sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (sample_id, tag)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX sample_tags_by_tag ON sample_tags(tag, sample_id);

      -- Questions and answers of each sample; rowid = samples.id, kept by the store in the same
      -- transaction as the sample.
      CREATE VIRTUAL TABLE sample_search USING fts5(questions, answers, tokenize = 'unicode61 remove_diacritics 2');
      CREATE TRIGGER sample_search_cleanup AFTER DELETE ON samples BEGIN
        DELETE FROM sample_search WHERE rowid = old.id;
      END;

      -- What a run trains on: a frozen copy of the samples, named by a hash of their content.
      CREATE TABLE dataset_versions (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id),
        content_hash TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        sample_count INTEGER NOT NULL,
        split_counts TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (dataset_id, content_hash)
      ) STRICT;
      CREATE TABLE dataset_version_samples (
        version_id INTEGER NOT NULL REFERENCES dataset_versions(id),
        position INTEGER NOT NULL,
        sample_id INTEGER NOT NULL,
        split TEXT NOT NULL,
        image_ids TEXT NOT NULL,
        texts TEXT NOT NULL,
        PRIMARY KEY (version_id, position)
      ) STRICT, WITHOUT ROWID;
      CREATE TRIGGER dataset_versions_immutable BEFORE UPDATE ON dataset_versions BEGIN
        SELECT RAISE(ABORT, 'dataset versions are immutable');
      END;
      CREATE TRIGGER dataset_versions_undeletable BEFORE DELETE ON dataset_versions BEGIN
        SELECT RAISE(ABORT, 'dataset versions are immutable');
      END;
      CREATE TRIGGER dataset_version_samples_immutable BEFORE UPDATE ON dataset_version_samples BEGIN
        SELECT RAISE(ABORT, 'dataset versions are immutable');
      END;
      CREATE TRIGGER dataset_version_samples_undeletable BEFORE DELETE ON dataset_version_samples BEGIN
        SELECT RAISE(ABORT, 'dataset versions are immutable');
      END;
    `,
  },
  {
    version: 3,
    name: 'models',
    sql: `
      CREATE TABLE models (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('demo', 'hub', 'folder', 'run')),
        reference TEXT NOT NULL,
        family TEXT NOT NULL,
        parameters INTEGER NOT NULL,
        bytes_on_disk INTEGER NOT NULL,
        folder TEXT NOT NULL,
        tokenizer_folder TEXT NOT NULL,
        added_at INTEGER NOT NULL,
        UNIQUE (source, reference)
      ) STRICT;
    `,
  },
  {
    version: 4,
    name: 'training runs',
    sql: `
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'cancelled', 'failed', 'interrupted')),
        dataset_id INTEGER NOT NULL REFERENCES datasets(id),
        dataset_version_id INTEGER NOT NULL REFERENCES dataset_versions(id),
        base_model_id TEXT NOT NULL,
        settings TEXT NOT NULL,
        learning_rates TEXT NOT NULL,
        engine TEXT,
        engine_reason TEXT,
        step INTEGER NOT NULL DEFAULT 0,
        last_loss REAL,
        folder TEXT NOT NULL,
        checkpoints TEXT NOT NULL DEFAULT '[]',
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        error TEXT
      ) STRICT;
      -- one row per optimiser step: train metrics, and val metrics when evaluated (JSON)
      CREATE TABLE run_metrics (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (run_id, step)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE run_log (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        level TEXT NOT NULL,
        text TEXT NOT NULL
      ) STRICT;
      CREATE INDEX run_log_by_run ON run_log(run_id, id);
    `,
  },
  {
    version: 5,
    name: 'chats',
    sql: `
      CREATE TABLE chats (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        model_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      -- image_ids: JSON list of image store ids; settings/stats: JSON
      CREATE TABLE chat_messages (
        id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
        text TEXT NOT NULL,
        image_ids TEXT NOT NULL DEFAULT '[]',
        model_id TEXT,
        settings TEXT,
        stats TEXT,
        status TEXT NOT NULL CHECK (status IN ('streaming', 'done', 'stopped', 'failed')),
        error TEXT,
        feedback TEXT CHECK (feedback IN ('up', 'down')),
        corrected_text TEXT,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX chat_messages_by_chat ON chat_messages(chat_id, id);
    `,
  },
  {
    version: 6,
    name: 'run evaluation predictions',
    sql: `
      CREATE TABLE run_predictions (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        sample_id TEXT NOT NULL,
        turn INTEGER NOT NULL,
        question TEXT NOT NULL,
        expected TEXT NOT NULL,
        predicted TEXT NOT NULL,
        correct INTEGER NOT NULL,
        error TEXT,
        PRIMARY KEY (run_id, step, sample_id, turn)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 7,
    name: 'chat answers remember the sample they became',
    sql: `
      ALTER TABLE chat_messages ADD COLUMN sample_id INTEGER;
      ALTER TABLE chat_messages ADD COLUMN sample_dataset_id INTEGER;
    `,
  },
  {
    version: 8,
    name: 'job journal',
    sql: `
      -- Background jobs as they start and end, so that one cut short by a crash is reported at the
      -- next start and the files it was writing (leftovers: JSON list of paths) are removed.
      CREATE TABLE job_journal (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        label TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled', 'interrupted')),
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        error TEXT,
        leftovers TEXT NOT NULL DEFAULT '[]'
      ) STRICT;
      CREATE INDEX job_journal_by_status ON job_journal(status);
    `,
  },
  {
    version: 9,
    name: 'chats: system prompt, side-by-side pairs, answer variants',
    sql: `
      ALTER TABLE chats ADD COLUMN system_prompt TEXT NOT NULL DEFAULT '';
      -- the other chat of a side-by-side comparison (the same questions to another model)
      ALTER TABLE chats ADD COLUMN paired_chat_id INTEGER REFERENCES chats(id) ON DELETE SET NULL;
      -- answers to one question kept on regenerate: each names the first answer of its group;
      -- only the one shown (hidden = 0) is part of the conversation
      ALTER TABLE chat_messages ADD COLUMN variant_of INTEGER;
      ALTER TABLE chat_messages ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1));
    `,
  },
  {
    version: 10,
    name: 'run queue',
    sql: `
      -- runs waiting for the running one to end, oldest first; each becomes a run when it starts
      CREATE TABLE run_queue (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        settings TEXT NOT NULL,
        queued_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = maxOf(MIGRATIONS.map((m) => m.version));
