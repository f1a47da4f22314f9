-- Instance settings (instance.Settings). NULL means "never set": the
-- instance reads the default of instance.DefaultSettings, which is the one
-- place defaults are written (existing rows keep working unchanged).
ALTER TABLE instances ADD COLUMN typing_simulation INTEGER;
ALTER TABLE instances ADD COLUMN receive_groups INTEGER;
ALTER TABLE instances ADD COLUMN reject_calls INTEGER;
