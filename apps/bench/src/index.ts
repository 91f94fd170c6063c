// Public API of @hotplug/app-bench: everything a user may import is exported here.
export {};
