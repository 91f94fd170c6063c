// Public API of @hotplug/data: everything a user may import is exported here.
export {};
