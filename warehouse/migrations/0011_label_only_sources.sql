-- Version 11: the Annex A guidance's sources that name only a group of CIN codes (a) Individual,
-- d) Health services, f) LA services) load as the group's own code, counted under its agency group.
-- The code list (warehouse/reference/referral_source.csv) holds them for a new warehouse; this adds
-- them to one built before (OR IGNORE: a new warehouse has them already).
INSERT OR IGNORE INTO ref_referral_source VALUES
    ('1', 'Individual (not said which)', 'Individual'),
    ('3', 'Health services (not said which)', 'Health'),
    ('5', 'LA services (not said which)', 'Local authority');
