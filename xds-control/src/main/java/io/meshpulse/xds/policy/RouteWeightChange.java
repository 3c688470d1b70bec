package io.meshpulse.xds.policy;

/** A subset's route weight changed (per mille of the service's traffic). */
public record RouteWeightChange(String subset, int oldWeight, int newWeight) {}
