// Public API of @hotplug/bench: everything a user may import is exported here.
export {};
