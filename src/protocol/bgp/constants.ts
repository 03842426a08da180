/**
 * BGP-4 wire numbers (RFC 4271 and the extensions listed in ./README.md).
 * Wire values: append only. Every value is the IANA-registered number.
 */

/** RFC 4271 §4.1: the header is a 16-byte all-ones marker, a 2-byte length and a 1-byte type. */
export const headerBytes = 19;
/** RFC 4271 §4.1: a message is at most 4096 bytes (RFC 8654 extended messages are not negotiated). */
export const maxMessageBytes = 4096;
export const markerBytes = 16;

/** RFC 4271 §4.1 message types; RFC 2918 ROUTE-REFRESH. */
export const MessageType = {
  Open: 1,
  Update: 2,
  Notification: 3,
  Keepalive: 4,
  RouteRefresh: 5,
} as const;
export type MessageTypeCode = (typeof MessageType)[keyof typeof MessageType];

/** RFC 4271 §6.1: the smallest legal length of each message type (header included). */
export const minMessageBytes: Readonly<Record<MessageTypeCode, number>> = {
  [MessageType.Open]: 29,
  [MessageType.Update]: 23,
  [MessageType.Notification]: 21,
  [MessageType.Keepalive]: 19,
  [MessageType.RouteRefresh]: 23,
};

/** Address Family Identifiers (IANA "Address Family Numbers"). */
export const Afi = { Ipv4: 1, Ipv6: 2 } as const;
/** Subsequent AFIs (RFC 4760). */
export const Safi = { Unicast: 1 } as const;

/** RFC 4271 §4.3 path attribute flags. */
export const AttrFlag = {
  Optional: 0x80,
  Transitive: 0x40,
  Partial: 0x20,
  ExtendedLength: 0x10,
} as const;

/** Path attribute type codes (IANA "BGP Path Attributes"). */
export const AttrType = {
  Origin: 1,
  AsPath: 2,
  NextHop: 3,
  MultiExitDisc: 4,
  LocalPref: 5,
  AtomicAggregate: 6,
  Aggregator: 7,
  Communities: 8,
  OriginatorId: 9,
  ClusterList: 10,
  MpReachNlri: 14,
  MpUnreachNlri: 15,
  As4Path: 17,
  As4Aggregator: 18,
  LargeCommunity: 32,
} as const;

/** RFC 4271 §5.1.1 ORIGIN values. */
export const Origin = { Igp: 0, Egp: 1, Incomplete: 2 } as const;
export type OriginCode = (typeof Origin)[keyof typeof Origin];

/** RFC 4271 §4.3 and RFC 5065 AS_PATH segment types. */
export const AsPathSegmentType = {
  AsSet: 1,
  AsSequence: 2,
  AsConfedSequence: 3,
  AsConfedSet: 4,
} as const;

/** RFC 5492 optional parameter type for capabilities; RFC 9072 extended-length marker. */
export const OptionalParameterType = { Capabilities: 2, ExtendedLength: 255 } as const;

/** Capability codes (IANA "Capability Codes"). */
export const CapabilityCode = {
  Multiprotocol: 1,
  RouteRefresh: 2,
  GracefulRestart: 64,
  FourOctetAs: 65,
} as const;

/** RFC 6793 §9: the 2-octet AS that stands in for a 4-octet one. */
export const asTrans = 23456;

/** RFC 4271 §4.5 error codes; RFC 7313 ROUTE-REFRESH message error. */
export const ErrorCode = {
  MessageHeader: 1,
  OpenMessage: 2,
  UpdateMessage: 3,
  HoldTimerExpired: 4,
  FiniteStateMachine: 5,
  Cease: 6,
  RouteRefreshMessage: 7,
} as const;

/** RFC 4271 §6.1. */
export const HeaderSubcode = {
  ConnectionNotSynchronized: 1,
  BadMessageLength: 2,
  BadMessageType: 3,
} as const;

/** RFC 4271 §6.2; RFC 5492 §5 Unsupported Capability. 0 = unspecific (RFC 4271 §4.5). */
export const OpenSubcode = {
  Unspecific: 0,
  UnsupportedVersionNumber: 1,
  BadPeerAs: 2,
  BadBgpIdentifier: 3,
  UnsupportedOptionalParameter: 4,
  UnacceptableHoldTime: 6,
  UnsupportedCapability: 7,
} as const;

/** RFC 4271 §6.3. */
export const UpdateSubcode = {
  MalformedAttributeList: 1,
  UnrecognizedWellKnownAttribute: 2,
  MissingWellKnownAttribute: 3,
  AttributeFlagsError: 4,
  AttributeLengthError: 5,
  InvalidOriginAttribute: 6,
  InvalidNextHopAttribute: 8,
  OptionalAttributeError: 9,
  InvalidNetworkField: 10,
  MalformedAsPath: 11,
} as const;

/** RFC 6608 FSM error subcodes. */
export const FsmSubcode = {
  Unspecified: 0,
  UnexpectedInOpenSent: 1,
  UnexpectedInOpenConfirm: 2,
  UnexpectedInEstablished: 3,
} as const;

/** RFC 4486 Cease subcodes; RFC 8538 Hard Reset; RFC 9384 BFD Down. */
export const CeaseSubcode = {
  MaximumPrefixes: 1,
  AdministrativeShutdown: 2,
  PeerDeconfigured: 3,
  AdministrativeReset: 4,
  ConnectionRejected: 5,
  OtherConfigurationChange: 6,
  ConnectionCollisionResolution: 7,
  OutOfResources: 8,
  HardReset: 9,
  /** RFC 9384: the BFD session protecting the BGP session went down. */
  BfdDown: 10,
} as const;

/** RFC 7313 §5. */
export const RouteRefreshSubcode = { InvalidMessageLength: 1 } as const;

/** RFC 1997 and IANA well-known communities, by the names operators write. */
export const WellKnownCommunity = {
  'graceful-shutdown': 0xffff0000, // RFC 8326
  'accept-own': 0xffff0001, // RFC 7611
  'llgr-stale': 0xffff0006, // RFC 9494
  'no-llgr': 0xffff0007, // RFC 9494
  blackhole: 0xffff029a, // RFC 7999
  'no-export': 0xffffff01,
  'no-advertise': 0xffffff02,
  'no-export-subconfed': 0xffffff03, // a.k.a. local-AS
  'no-peer': 0xffffff04, // RFC 3765
} as const;
export type WellKnownCommunityName = keyof typeof WellKnownCommunity;
