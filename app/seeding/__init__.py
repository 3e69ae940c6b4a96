"""Moving a marketplace in and out in the file format of OrderCloud's seeding tool
(`@ordercloud/seeding`): `ordercore import FILE.yml` and `ordercore export FILE.yml`
(docs/migration.md). Every record goes through the API operation that serves it, invoked in
process as the seller, so the rules are the API's own."""
