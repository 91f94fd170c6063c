// Public API of @hotplug/heads: everything a user may import is exported here.
export {};
