"""caseflow — case management for mandatory reporting and rights protection."""

from pathlib import Path

from flask import Flask, request, session
from flask_babel import get_locale

from .config import ROOT, Config


def select_locale() -> str:
    """Chinese first. Pages switch to English only when the user chooses it (the link in
    the header); an API client may ask for English with Accept-Language."""
    if not request:
        return "zh_Hans_CN"
    chosen = session.get("lang")
    if chosen in ("zh_Hans_CN", "en"):
        return chosen
    if request.path.startswith("/api/"):
        best = request.accept_languages.best_match(["zh", "zh-CN", "en"])
        return "en" if best == "en" else "zh_Hans_CN"
    return "zh_Hans_CN"


def create_app(config: type[Config] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config or Config)
    _secret_key(app)
    from .services.audit import install_keys

    install_keys(app)  # refuses to start in production without CASEFLOW_AUDIT_KEY
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        (ROOT / "instance").mkdir(exist_ok=True)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # No JIT for this application's statements: they read a page of rows through
        # indexes in milliseconds, but the planner's cost of a scope condition (an OR of
        # EXISTS over a million cases) passes jit_above_cost and each statement then spent
        # 0.5-3 s compiling. Aggregations that would gain from JIT are the indicator
        # figures, which are stored once computed. Set per connection, so it holds whatever
        # the server's postgresql.conf says.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        connect_args = dict(options.get("connect_args") or {})
        connect_args["options"] = (connect_args.get("options", "") + " -c jit=off").strip()
        options["connect_args"] = connect_args
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options

    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    from .extensions import babel, csrf, db, login_manager, migrate

    db.init_app(app)
    from . import replica

    replica.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    from .security import headers

    headers.init_app(app)

    from . import (
        models,  # noqa: F401  (the whole schema, for Alembic)
        services,  # noqa: F401  (registers the case types' services)
    )
    from .views import register

    register(app)

    from .cli import register_commands

    register_commands(app)

    @app.context_processor
    def inject():
        return {"current_locale": str(get_locale())}

    return app


def _secret_key(app: Flask) -> None:
    """Production must be given a key; development makes its own random one, kept in
    instance/. A key published anywhere (the old built-in one) is refused everywhere."""
    key = app.config.get("SECRET_KEY")
    if key in app.config["KNOWN_PUBLIC_KEYS"]:
        raise RuntimeError("CASEFLOW_SECRET_KEY is a published key; set a random one.")
    if key:
        return
    if app.config["ENV_NAME"] == "production":
        raise RuntimeError("Set CASEFLOW_SECRET_KEY in production.")
    from .security import secret_key

    app.config["SECRET_KEY"] = secret_key.load_or_create(Path(app.config["SECRET_KEY_FILE"]))
