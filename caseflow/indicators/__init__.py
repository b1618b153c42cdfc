"""Law-domain indicators: the catalogue, SQL aggregation, plans, targets and warnings,
submitted figures and the annual monitoring workbook (shared/domain/indicators.md)."""
