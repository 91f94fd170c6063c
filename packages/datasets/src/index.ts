// Public API of @hotplug/datasets: everything a user may import is exported here.
export {};
