// kafka-acls (Kafka's AclCommand) run once per line of a file, all in one JVM, for the tests'
// secured broker (tests/support/kafka_broker.py, apply_acls).
//
// Usage: java -cp 'KAFKA_JARS/*' AclBatch.java LINES_FILE COMMON_ARGUMENT...
// Each line holds one command's own arguments, tab-separated; they follow the arguments
// common to every command. Why one JVM: each start of the tool cost about 2.7 s of CPU for a
// dozen network round trips, and a deployment's ACLs are a dozen commands.
// AclCommand exits the JVM with 1 when a command fails; the line before names it.

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.tools.AclCommand;

public class AclBatch {
    public static void main(String[] args) throws Exception {
        List<String> common = Arrays.asList(args).subList(1, args.length);
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            List<String> command = new ArrayList<>(common);
            command.addAll(Arrays.asList(line.split("\t")));
            System.out.println("kafka-acls " + line.replace('\t', ' '));
            AclCommand.main(command.toArray(new String[0]));
        }
    }
}
