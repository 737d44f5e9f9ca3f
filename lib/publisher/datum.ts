// The datum type lives beside the catalog that builds it (data flows one way: collectors and the
// catalog never import the publisher); re-exported here for the publisher's importers.
export { type MetricDatum, datumToJsonLine } from '../catalog/datum';
