//! The top-level shape every Flux kind shares, and its `kube::Resource` implementation.
//!
//! Written by hand rather than with kube's `CustomResource` derive for two reasons: the
//! `apiVersion` read from the wire is kept (a v1beta2 object stays v1beta2 when written back),
//! and no JSON-schema generation is compiled for thirteen large types.

/// Define `$name { apiVersion, kind, metadata, spec, status }` and its `kube::Resource` impl.
macro_rules! flux_resource {
    (
        $(#[$doc:meta])*
        $name:ident {
            group: $group:literal,
            version: $version:literal,
            plural: $plural:literal,
            spec: $spec:ty,
            status: $status:ty $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            /// As read from the wire (older served versions included); `new` sets the current one.
            #[serde(default)]
            pub api_version: String,
            #[serde(default)]
            pub kind: String,
            #[serde(default)]
            pub metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
            #[serde(default)]
            pub spec: $spec,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub status: Option<$status>,
        }

        impl $name {
            pub const KIND: &'static str = stringify!($name);
            pub const GROUP: &'static str = $group;
            pub const VERSION: &'static str = $version;
            pub const API_VERSION: &'static str = concat!($group, "/", $version);
            pub const PLURAL: &'static str = $plural;

            /// A new object at the current API version.
            pub fn new(name: &str, spec: $spec) -> Self {
                Self {
                    api_version: Self::API_VERSION.to_string(),
                    kind: Self::KIND.to_string(),
                    metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                        name: Some(name.to_string()),
                        ..Default::default()
                    },
                    spec,
                    status: None,
                }
            }

            /// Set the namespace (builder style).
            pub fn in_namespace(mut self, namespace: &str) -> Self {
                self.metadata.namespace = Some(namespace.to_string());
                self
            }

            /// The version part of the object's own apiVersion (`v1beta2` for an old object).
            pub fn served_version(&self) -> &str {
                self.api_version.rsplit_once('/').map(|(_, v)| v).unwrap_or(Self::VERSION)
            }
        }

        impl kube::Resource for $name {
            type DynamicType = ();
            type Scope = k8s_openapi::NamespaceResourceScope;

            fn kind(_: &()) -> std::borrow::Cow<'_, str> {
                std::borrow::Cow::Borrowed(Self::KIND)
            }
            fn group(_: &()) -> std::borrow::Cow<'_, str> {
                std::borrow::Cow::Borrowed(Self::GROUP)
            }
            fn version(_: &()) -> std::borrow::Cow<'_, str> {
                std::borrow::Cow::Borrowed(Self::VERSION)
            }
            fn api_version(_: &()) -> std::borrow::Cow<'_, str> {
                std::borrow::Cow::Borrowed(Self::API_VERSION)
            }
            fn plural(_: &()) -> std::borrow::Cow<'_, str> {
                std::borrow::Cow::Borrowed(Self::PLURAL)
            }
            fn meta(&self) -> &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                &self.metadata
            }
            fn meta_mut(&mut self) -> &mut k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                &mut self.metadata
            }
        }
    };
}

pub(crate) use flux_resource;
