-- Version 12: the partnership's own model files, as applied by `safeguard model apply`
-- (warehouse/model/files.py). The warehouse carries the model it was built with, so every server and
-- every load uses the same one, and a file being edited in $SAFEGUARD_HOME/model reaches nothing until
-- it is applied.
CREATE TABLE model_file (
    name       VARCHAR PRIMARY KEY,
    content    VARCHAR NOT NULL,
    applied_at TIMESTAMP NOT NULL
);
