-- Sluice SQLite schema, version 2: per-task instance counts by state.
-- Reading a job's progress must not count its instance rows (a GET of a 2,000-instance job scanned
-- them all). The writer keeps these columns exact in the same transaction as every instance change;
-- they always sum to instance_count. Zero costs no body bytes in a SQLite record.

ALTER TABLE tasks ADD COLUMN waiting_instances  INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN running_instances  INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN finished_instances INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN failed_instances   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN stopped_instances  INTEGER NOT NULL DEFAULT 0;

UPDATE tasks SET
    waiting_instances = c.waiting,
    running_instances = c.running,
    finished_instances = c.finished,
    failed_instances = c.failed,
    stopped_instances = c.stopped
FROM (
    SELECT job_id, task_name,
        SUM(state = 'Waiting') AS waiting, SUM(state = 'Running') AS running, SUM(state = 'Finished') AS finished,
        SUM(state = 'Failed') AS failed, SUM(state = 'Stopped') AS stopped
    FROM instances GROUP BY job_id, task_name
) AS c
WHERE tasks.job_id = c.job_id AND tasks.name = c.task_name;
