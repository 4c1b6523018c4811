"""Settings as data: every setting has a name, an environment variable, a default and help.

`Settings.from_env()` is the only place the environment is read; everything else gets
a `Settings` passed in, so tests build one by hand.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, field
from pathlib import Path

from synth.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: object
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("db_url", "SYNTH_DB_URL", f"sqlite:///{PROJECT_ROOT / 'data' / 'synth.db'}",
            "SQLAlchemy URL of the store: sqlite:///path/to/file.db or postgresql+psycopg://user:pw@host/db."),
    Setting("models_dir", "SYNTH_MODELS_DIR", str(PROJECT_ROOT / "models"),
            "Folder where fitted theme models are saved, one sub-folder per fit."),
    Setting("cache_dir", "SYNTH_CACHE_DIR", str(Path.home() / ".cache" / "synth"),
            "Folder for files synth derives once per machine (the embedding model re-quantized for int8 arithmetic)."),
    Setting("secret_file", "SYNTH_SECRET_FILE", str(PROJECT_ROOT / "data" / "secret.key"),
            "Key used to pseudonymise partner and executive names (created on first use; keep it private)."),
    Setting("users_file", "SYNTH_USERS_FILE", str(PROJECT_ROOT / "data" / "users.json"),
            "JSON file of dashboard users with bcrypt-hashed passwords and roles."),
    Setting("max_upload_mb", "SYNTH_MAX_UPLOAD_MB", 50,
            "Files larger than this many megabytes are refused before they are read."),
    Setting("max_rows", "SYNTH_MAX_ROWS", 200_000,
            "Files with more data rows than this are refused; reading stops at the first row over it."),
    Setting("store_raw_text", "SYNTH_STORE_RAW_TEXT", False,
            "Also store the unredacted note text (off by default; never shown on the dashboard)."),
    Setting("privacy_k", "SYNTH_PRIVACY_K", 3,
            "Breakdown cells backed by fewer than this many distinct partners are suppressed."),
    Setting("quotes_per_theme", "SYNTH_QUOTES_PER_THEME", 3,
            "How many representative quotes each theme keeps."),
    Setting("assign_threshold", "SYNTH_ASSIGN_THRESHOLD", 0.45,
            "Cosine similarity a new statement needs to join an existing theme without a refit."),
    Setting("seed", "SYNTH_SEED", 42, "Random seed for theme fitting: the same data and seed give the same themes."),
    Setting("dask_scheduler", "SYNTH_DASK_SCHEDULER", "",
            "A dask.distributed scheduler (tcp://host:8786) that runs the text stage, embedding and theme assignment "
            "of large imports, one partition of notes per task; `local` or `local:N` starts N worker processes on "
            "this machine for the import. Empty: everything runs in this process."),
    Setting("dask_partition_notes", "SYNTH_DASK_PARTITION_NOTES", 2000,
            "Notes per Dask partition, written in one transaction each; imports with no more fresh notes than this "
            "run in this process even when SYNTH_DASK_SCHEDULER is set."),
    Setting("fit_sample_above", "SYNTH_FIT_SAMPLE_ABOVE", 50_000,
            "A fit over more issue statements than this clusters a sample of this many, stratified by partner "
            "(each partner's share kept), and assigns the rest to the themes found. 0: always fit on everything."),
    Setting("jobs_in_server", "SYNTH_JOBS_IN_SERVER", True,
            "Each dashboard server also runs queued imports and fits in a background thread. Turn off where "
            "`synth worker` processes run them instead."),
    Setting("background_import_rows", "SYNTH_BACKGROUND_IMPORT_ROWS", 2000,
            "Dashboard uploads with more data rows than this are imported as a job, with its progress on the "
            "Import page; smaller ones are imported while the page waits."),
    Setting("job_stale_s", "SYNTH_JOB_STALE_S", 60.0,
            "A running job whose worker has not sent a heartbeat for this many seconds is taken back: "
            "retried, or failed with the reason."),
    Setting("job_attempts", "SYNTH_JOB_ATTEMPTS", 2,
            "How many times a job is started before one whose worker keeps dying is marked failed."),
    Setting("smtp_url", "SYNTH_SMTP_URL", "",
            "Where alerts are mailed: smtp://[user:password@]host[:port] (STARTTLS when offered) or smtps://... "
            "Empty: alerts stay in the outbox on the dashboard's Actions page until `synth alerts --send`."),
    Setting("smtp_from", "SYNTH_SMTP_FROM", "synth@localhost", "The From address of alert e-mails."),
)


def _coerce(setting: Setting, raw: str) -> object:
    kind = type(setting.default)
    try:
        if kind is bool:
            if raw.strip().lower() in {"1", "true", "yes", "on"}:
                return True
            if raw.strip().lower() in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(raw)
        return kind(raw)
    except ValueError:
        raise ConfigError(
            f"{setting.env}={raw!r} is not a valid {kind.__name__}; {setting.help}"
        ) from None


def _default(name: str) -> object:
    return next(s.default for s in SETTINGS if s.name == name)


@dataclass(frozen=True)
class Settings:
    """Every setting, its default taken from SETTINGS (the one place defaults are written)."""

    db_url: str = _default("db_url")
    models_dir: str = _default("models_dir")
    cache_dir: str = _default("cache_dir")
    secret_file: str = _default("secret_file")
    users_file: str = _default("users_file")
    max_upload_mb: int = _default("max_upload_mb")
    max_rows: int = _default("max_rows")
    store_raw_text: bool = _default("store_raw_text")
    privacy_k: int = _default("privacy_k")
    quotes_per_theme: int = _default("quotes_per_theme")
    assign_threshold: float = _default("assign_threshold")
    seed: int = _default("seed")
    dask_scheduler: str = _default("dask_scheduler")
    dask_partition_notes: int = _default("dask_partition_notes")
    fit_sample_above: int = _default("fit_sample_above")
    jobs_in_server: bool = _default("jobs_in_server")
    background_import_rows: int = _default("background_import_rows")
    job_stale_s: float = _default("job_stale_s")
    job_attempts: int = _default("job_attempts")
    smtp_url: str = _default("smtp_url")
    smtp_from: str = _default("smtp_from")
    extra: dict = field(default_factory=dict, compare=False)

    @classmethod
    def from_env(cls, environ: dict | None = None) -> "Settings":
        environ = os.environ if environ is None else environ
        values = {s.name: _coerce(s, environ[s.env]) for s in SETTINGS if s.env in environ}
        return cls(**values)

    @classmethod
    def for_directory(cls, folder: Path, **overrides) -> "Settings":
        """Everything under one folder: what tests and the benchmarks use."""
        folder = Path(folder)
        base = dict(
            db_url=f"sqlite:///{folder / 'synth.db'}",
            models_dir=str(folder / "models"),
            secret_file=str(folder / "secret.key"),
            users_file=str(folder / "users.json"),
        )
        base.update(overrides)
        return cls(**base)

    def to_env(self) -> dict[str, str]:
        """The environment a child process (a CLI run, a dashboard server, a worker) needs to see
        these settings: the inverse of `from_env`."""
        out = {}
        for s in SETTINGS:
            value = getattr(self, s.name)
            out[s.env] = ("1" if value else "0") if isinstance(value, bool) else str(value)
        return out

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb) * 1024 * 1024


assert {s.name for s in SETTINGS} == {f.name for f in fields(Settings)} - {"extra"}
