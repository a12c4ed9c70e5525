"""Review versions (v1, v2, ...): what each published update of a living review said, frozen."""
