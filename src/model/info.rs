//! Reading the text replies of `INFO`, `CLUSTER INFO` and `CLUSTER NODES`.

use std::collections::HashMap;

/// `INFO` / `CLUSTER INFO`: `key:value` lines; section headers (`# Server`) and module lines kept apart.
#[derive(Debug, Default)]
pub struct Info {
    pub fields: HashMap<String, String>,
    /// The `name=` of each `module:` line of `# Modules`.
    pub modules: Vec<String>,
}

impl Info {
    pub fn parse(text: &str) -> Info {
        let mut info = Info::default();
        for line in text.lines() {
            let line = line.trim_end_matches('\r');
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            if key == "module" {
                if let Some(name) = value.split(',').find_map(|kv| kv.strip_prefix("name=")) {
                    info.modules.push(name.to_string());
                }
                continue;
            }
            info.fields.insert(key.to_string(), value.to_string());
        }
        info
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(String::as_str)
    }

    pub fn number(&self, key: &str) -> Option<u64> {
        self.get(key)?.parse().ok()
    }

    /// RediSearch is loaded: `search` (2.x) or `ft` (1.x, as Debian's module names itself).
    pub fn has_search_module(&self) -> bool {
        self.modules.iter().any(|m| m == "search" || m == "ft")
    }
}

/// One line of `CLUSTER NODES`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterNode {
    pub id: String,
    /// `host:port` as the node announces it (without the `@cport` and `,hostname` parts).
    pub address: String,
    pub master: bool,
    /// The master's id, for a replica.
    pub master_id: Option<String>,
    /// `fail` or `fail?` in the flags, or the link is down.
    pub failing: bool,
    pub myself: bool,
    /// Serves at least one hash slot: a master without slots holds no data (a node just joined,
    /// or a replica whose role has not reached this node's view yet).
    pub owns_slots: bool,
}

pub fn parse_cluster_nodes(text: &str) -> Vec<ClusterNode> {
    let mut nodes = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() < 8 {
            continue;
        }
        let address = fields[1].split(['@', ',']).next().unwrap_or("").to_string();
        let flags: Vec<&str> = fields[2].split(',').collect();
        let has = |f: &str| flags.contains(&f);
        nodes.push(ClusterNode {
            id: fields[0].to_string(),
            address,
            master: has("master"),
            master_id: (fields[3] != "-").then(|| fields[3].to_string()),
            failing: has("fail") || has("fail?") || has("noaddr") || fields[7] == "disconnected",
            myself: has("myself"),
            owns_slots: fields.len() > 8,
        });
    }
    nodes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_fields_and_modules() {
        let info = Info::parse(
            "# Server\r\nredis_version:6.2.14\r\nredis_mode:cluster\r\n\r\n# Modules\r\n\
module:name=search,ver=20613,api=1,filters=0,usedby=[],using=[],options=[]\r\n",
        );
        assert_eq!(info.get("redis_version"), Some("6.2.14"));
        assert_eq!(info.get("redis_mode"), Some("cluster"));
        assert_eq!(info.modules, ["search"]);
        assert!(info.has_search_module());
    }

    #[test]
    fn cluster_nodes_lines() {
        let text = "07c3 127.0.0.1:30004@40004 slave e7d1 0 1426238317239 4 connected\n\
e7d1 127.0.0.1:30001@40001,redis-0 myself,master - 0 0 1 connected 0-5460\n\
67ed 10.1.2.3:30002@40002 master,fail - 1426238316232 1426238315000 2 disconnected 5461-10922\n\
a1b2 127.0.0.1:30005@40005 master - 0 0 5 connected\n";
        let nodes = parse_cluster_nodes(text);
        assert_eq!(nodes.len(), 4);
        assert!(nodes[1].owns_slots && nodes[2].owns_slots);
        assert!(nodes[3].master && !nodes[3].owns_slots);
        assert_eq!(nodes[0].address, "127.0.0.1:30004");
        assert_eq!(nodes[0].master_id.as_deref(), Some("e7d1"));
        assert!(nodes[1].master && nodes[1].myself && !nodes[1].failing);
        assert_eq!(nodes[1].address, "127.0.0.1:30001");
        assert!(nodes[2].failing);
    }
}
