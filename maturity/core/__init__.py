"""Pure core: vocabulary, framework schema, scoring and statistics. No Django imports here."""
