package io.sequencer.node;

import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The plain case of a subcommand's arguments, read without picocli: picocli builds its model of the command line by
 * reflection over classes still being interpreted, about 0.2 s of a {@code node} start on an idle machine and twice
 * that beside a loaded cluster, where a restarted member is back that much later. The command's own {@code @Option}
 * annotations stay the one definition of its options; this reads them and sets the fields from arguments that picocli
 * would read the same way, or declines, and then picocli parses as always, with its messages, help and version.
 * <p>
 * What it reads: {@code --name value} and {@code --name=value}, for options of type {@code String}, {@code Path},
 * {@code int}, {@code long}, {@code boolean} (a flag, given without a value) and {@code Map<String, String>}
 * ({@code KEY=VALUE}, repeatable); defaults from {@code defaultValue}; every {@code required} option present. It
 * declines everything else, so that picocli's handling of it stays the only one: a required option missing, an
 * unknown option, {@code -h}/{@code --help}/{@code -V}/{@code --version}, an option given twice, a missing or
 * malformed value, a value beginning with {@code -} (an option where a value should be, or a negative number, which
 * the commands' own range checks report through picocli), an {@code @file}, {@code --}, and any option declared with
 * an arity, split, converter or negation, and any command with fields of picocli's other kinds (positional
 * parameters, mixins, groups).
 */
final class QuickArguments
{
    private static final String NO_DEFAULT = "__no_default_value__";

    private QuickArguments()
    {
    }

    /**
     * Set {@code command}'s {@code @Option} fields from {@code args} (the subcommand's name first) and return true, or
     * return false, the fields then in any state: the caller gives the arguments to picocli with a new command object.
     */
    static boolean parse(final Object command, final String[] args)
    {
        final Map<String, Field> byName = new HashMap<>();
        for (final Field field : command.getClass().getDeclaredFields())
        {
            final Option option = field.getAnnotation(Option.class);
            if (option == null)
            {
                if (field.getAnnotation(Spec.class) == null && hasPicocliAnnotation(field))
                {
                    return false; // positional parameters, a mixin, a group, unmatched arguments
                }
                continue;
            }
            if (!supported(field, option))
            {
                return false;
            }
            for (final String name : option.names())
            {
                byName.put(name, field);
            }
        }
        try
        {
            final Set<Field> given = new HashSet<>();
            for (int i = 1; i < args.length; i++)
            {
                final String arg = args[i];
                final int equals = arg.indexOf('=');
                final String name = arg.startsWith("--") && equals > 0 ? arg.substring(0, equals) : arg;
                final Field field = byName.get(name);
                if (field == null)
                {
                    return false; // not an option of this command (or help, version, an @file, --, a positional)
                }
                final boolean repeatable = field.getType() == Map.class;
                if (!given.add(field) && !repeatable)
                {
                    return false;
                }
                if (field.getType() == boolean.class)
                {
                    if (name.length() != arg.length())
                    {
                        return false; // --flag=value
                    }
                    field.setBoolean(command, true);
                    continue;
                }
                final String value;
                if (name.length() != arg.length())
                {
                    value = arg.substring(equals + 1);
                }
                else if (i + 1 < args.length)
                {
                    value = args[++i];
                }
                else
                {
                    return false;
                }
                if (value.isEmpty() || value.startsWith("-") || value.startsWith("@") || !set(command, field, value))
                {
                    return false;
                }
            }
            for (final Field field : new HashSet<>(byName.values()))
            {
                final Option option = field.getAnnotation(Option.class);
                if (!given.contains(field))
                {
                    if (option.required() || !NO_DEFAULT.equals(option.defaultValue()) &&
                        !set(command, field, option.defaultValue()))
                    {
                        return false;
                    }
                }
            }
            return true;
        }
        catch (final IllegalAccessException ex)
        {
            return false;
        }
    }

    private static boolean supported(final Field field, final Option option)
    {
        final Class<?> type = field.getType();
        return !Modifier.isFinal(field.getModifiers()) && !Modifier.isStatic(field.getModifiers()) &&
            option.arity().isEmpty() && option.split().isEmpty() && option.converter().length == 0 &&
            !option.negatable() && !option.usageHelp() && !option.versionHelp() &&
            (type == String.class || type == Path.class || type == int.class || type == long.class ||
            type == boolean.class || isStringMap(field)) && field.trySetAccessible();
    }

    private static boolean isStringMap(final Field field)
    {
        return field.getType() == Map.class && field.getGenericType() instanceof ParameterizedType &&
            Arrays.equals(((ParameterizedType)field.getGenericType()).getActualTypeArguments(),
                new Type[] { String.class, String.class });
    }

    private static boolean hasPicocliAnnotation(final Field field)
    {
        for (final java.lang.annotation.Annotation annotation : field.getAnnotations())
        {
            if (annotation.annotationType().getName().startsWith("picocli."))
            {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    private static boolean set(final Object command, final Field field, final String value)
        throws IllegalAccessException
    {
        final Class<?> type = field.getType();
        if (type == String.class)
        {
            field.set(command, value);
        }
        else if (type == Path.class)
        {
            try
            {
                field.set(command, Path.of(value));
            }
            catch (final InvalidPathException ex)
            {
                return false;
            }
        }
        else if (type == int.class || type == long.class)
        {
            if (!isDecimal(value))
            {
                return false;
            }
            try
            {
                if (type == int.class)
                {
                    field.setInt(command, Integer.parseInt(value));
                }
                else
                {
                    field.setLong(command, Long.parseLong(value));
                }
            }
            catch (final NumberFormatException ex)
            {
                return false; // out of range: picocli says so
            }
        }
        else if (type == Map.class)
        {
            final int equals = value.indexOf('=');
            if (equals <= 0)
            {
                return false;
            }
            Map<String, String> map = (Map<String, String>)field.get(command);
            if (map == null)
            {
                map = new HashMap<>();
                field.set(command, map);
            }
            map.put(value.substring(0, equals), value.substring(equals + 1));
        }
        else
        {
            return false; // a boolean's default: picocli reads it
        }
        return true;
    }

    private static boolean isDecimal(final String value)
    {
        for (int i = 0; i < value.length(); i++)
        {
            if (value.charAt(i) < '0' || value.charAt(i) > '9')
            {
                return false;
            }
        }
        return !value.isEmpty();
    }
}
