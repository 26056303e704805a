//! Dependency metrics: supplier shares, concentration, dependency flags, time series,
//! quantities and unit values, bilateral asymmetry. Each takes a TradeTable and returns an
//! Arrow RecordBatch with documented columns.
