"""A FHIR R4 (4.0.1) provider directory on the Da Vinci PDex Plan-Net 1.2.0 profiles.

`resources` maps the directory's data to FHIR resources (the one place that does), `params`
reads search parameters, `search` finds what a search matches, `bundle` pages the matches
into searchset Bundles, `errors` writes OperationOutcomes, `bulk` streams the Bulk Data
export, and `views` and `urls` serve them at /fhir/.
"""
