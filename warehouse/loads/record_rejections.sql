-- The rejected rows of one file (registered as `new_rejections`).
INSERT INTO etl_rejection SELECT * FROM new_rejections;
