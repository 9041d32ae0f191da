"""The model: datasets (their native layouts), dimensions, measures and KPIs, declared in files
(docs/model.md).

`active_model()` is the model this process serves: the built-in files and the partnership's own in
$SAFEGUARD_HOME/model, read once.
"""
