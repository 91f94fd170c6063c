// Public API of @hotplug/backbones: everything a user may import is exported here.
export {};
