"""The Celery app is safe by default and its beat schedule names real tasks."""

from tsunagu.celery import app


def test_safe_defaults():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.task_serializer == "json"
    assert conf.result_serializer == "json"
    assert conf.accept_content == ["json"]
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert conf.timezone == "Asia/Tokyo"
    assert conf.worker_prefetch_multiplier == 1


def test_redis_calls_have_bounded_timeouts():
    options = app.conf.broker_transport_options
    assert options["socket_timeout"] <= 5
    assert options["socket_connect_timeout"] <= 5
    assert app.conf.task_publish_retry_policy["max_retries"] <= 3


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule
    assert schedule, "the beat schedule is empty"
    for name, entry in schedule.items():
        assert entry["task"] in app.tasks, f"beat entry {name} names unknown task {entry['task']}"
