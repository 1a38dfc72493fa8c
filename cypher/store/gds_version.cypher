// The Graph Data Science plugin's version; fails when the plugin is not installed.
RETURN gds.version() AS version
